// Richards: the classic operating-system simulation benchmark (Martin Richards,
// BCPL, 1981), ported from the object-oriented Python version in the
// pyperformance suite (after Mario Wolczko's Java translation of L Peter
// Deutsch's Smalltalk version). Six tasks (an idle task, a worker, two packet
// handlers and two devices) pass packets through a priority scheduler: field
// reads and writes, and method calls, `step` being virtual across the four Task
// subclasses. Changes from pyperformance, the same in all four languages: no
// tracing or isinstance asserts; the method `fn` is called `step` (`fn` is a
// Weft keyword); `x & 1`, `x >> 1` and `^ 0xD008` become `% 2`, integer
// halving and `xor_d008`, since neither Weft nor Lua 5.1 (LuaJIT) has bit
// operators.

// Task ids
const I_IDLE = 1;
const I_WORK = 2;
const I_HANDLERA = 3;
const I_HANDLERB = 4;
const I_DEVA = 5;
const I_DEVB = 6;

// Packet kinds
const K_DEV = 1000;
const K_WORK = 1001;

const BUFSIZE = 4;
const TASKTABSIZE = 10;
const ITERATIONS = 30;

// x ^ 0xD008 for 0 <= x < 0x8000: bit 15 of x is clear, so it is set by
// adding; bits 14, 12 and 3 are flipped one at a time.
function xorD008(x) {
    let r = x + 0x8000;
    if (x % 0x8000 >= 0x4000) {
        r = r - 0x4000;
    } else {
        r = r + 0x4000;
    }
    if (x % 0x2000 >= 0x1000) {
        r = r - 0x1000;
    } else {
        r = r + 0x1000;
    }
    if (x % 0x10 >= 0x8) {
        r = r - 0x8;
    } else {
        r = r + 0x8;
    }
    return r;
}

class Packet {
    constructor(link, ident, kind) {
        this.link = link;
        this.ident = ident;
        this.kind = kind;
        this.datum = 0;
        this.data = [0, 0, 0, 0];
    }

    appendTo(lst) {
        this.link = null;
        if (lst === null) return this;
        let p = lst;
        let next = p.link;
        while (next !== null) {
            p = next;
            next = p.link;
        }
        p.link = this;
        return lst;
    }
}

// Task records: the private state of each kind of task.
class TaskRec {}

class DeviceTaskRec extends TaskRec {
    constructor() {
        super();
        this.pending = null;
    }
}

class IdleTaskRec extends TaskRec {
    constructor() {
        super();
        this.control = 1;
        this.count = 10000;
    }
}

class HandlerTaskRec extends TaskRec {
    constructor() {
        super();
        this.workIn = null;
        this.deviceIn = null;
    }

    workInAdd(p) {
        this.workIn = p.appendTo(this.workIn);
        return this.workIn;
    }

    deviceInAdd(p) {
        this.deviceIn = p.appendTo(this.deviceIn);
        return this.deviceIn;
    }
}

class WorkerTaskRec extends TaskRec {
    constructor() {
        super();
        this.destination = I_HANDLERA;
        this.count = 0;
    }
}

class TaskState {
    constructor() {
        this.packetPending = true;
        this.taskWaiting = false;
        this.taskHolding = false;
    }

    packetPendingState() {
        this.packetPending = true;
        this.taskWaiting = false;
        this.taskHolding = false;
        return this;
    }

    waiting() {
        this.packetPending = false;
        this.taskWaiting = true;
        this.taskHolding = false;
        return this;
    }

    running() {
        this.packetPending = false;
        this.taskWaiting = false;
        this.taskHolding = false;
        return this;
    }

    waitingWithPacket() {
        this.packetPending = true;
        this.taskWaiting = true;
        this.taskHolding = false;
        return this;
    }

    isPacketPending() { return this.packetPending; }

    isTaskWaiting() { return this.taskWaiting; }

    isTaskHolding() { return this.taskHolding; }

    isTaskHoldingOrWaiting() {
        return this.taskHolding || (!this.packetPending && this.taskWaiting);
    }

    isWaitingWithPacket() {
        return this.packetPending && this.taskWaiting && !this.taskHolding;
    }
}

class TaskWorkArea {
    constructor() {
        this.taskTab = [];
        for (let i = 0; i < TASKTABSIZE; i++) {
            this.taskTab.push(null);
        }
        this.taskList = null;
        this.holdCount = 0;
        this.qpktCount = 0;
    }
}

const workArea = new TaskWorkArea();

class Task extends TaskState {
    constructor(ident, priority, input, initialState, handle) {
        super();
        this.link = workArea.taskList;
        this.ident = ident;
        this.priority = priority;
        this.input = input;
        this.packetPending = initialState.isPacketPending();
        this.taskWaiting = initialState.isTaskWaiting();
        this.taskHolding = initialState.isTaskHolding();
        this.handle = handle;
        workArea.taskList = this;
        workArea.taskTab[ident] = this;
    }

    step(pkt, handle) {
        throw new Error("Task.step is abstract");
    }

    addPacket(p, old) {
        if (this.input === null) {
            this.input = p;
            this.packetPending = true;
            if (this.priority > old.priority) return this;
        } else {
            p.appendTo(this.input);
        }
        return old;
    }

    runTask() {
        let msg = null;
        if (this.isWaitingWithPacket()) {
            msg = this.input;
            this.input = msg.link;
            if (this.input === null) {
                this.running();
            } else {
                this.packetPendingState();
            }
        }
        return this.step(msg, this.handle);
    }

    waitTask() {
        this.taskWaiting = true;
        return this;
    }

    hold() {
        workArea.holdCount += 1;
        this.taskHolding = true;
        return this.link;
    }

    release(ident) {
        const t = this.findTcb(ident);
        t.taskHolding = false;
        if (t.priority > this.priority) return t;
        return this;
    }

    qpkt(pkt) {
        const t = this.findTcb(pkt.ident);
        workArea.qpktCount += 1;
        pkt.link = null;
        pkt.ident = this.ident;
        return t.addPacket(pkt, this);
    }

    findTcb(ident) {
        const t = workArea.taskTab[ident];
        if (t === null) throw new Error(`bad task id ${ident}`);
        return t;
    }
}

class DeviceTask extends Task {
    step(pkt, handle) {
        const d = handle;
        if (pkt === null) {
            pkt = d.pending;
            if (pkt === null) return this.waitTask();
            d.pending = null;
            return this.qpkt(pkt);
        }
        d.pending = pkt;
        return this.hold();
    }
}

class HandlerTask extends Task {
    step(pkt, handle) {
        const h = handle;
        if (pkt !== null) {
            if (pkt.kind === K_WORK) {
                h.workInAdd(pkt);
            } else {
                h.deviceInAdd(pkt);
            }
        }
        const work = h.workIn;
        if (work === null) return this.waitTask();
        const count = work.datum;
        if (count >= BUFSIZE) {
            h.workIn = work.link;
            return this.qpkt(work);
        }
        const dev = h.deviceIn;
        if (dev === null) return this.waitTask();
        h.deviceIn = dev.link;
        dev.datum = work.data[count];
        work.datum = count + 1;
        return this.qpkt(dev);
    }
}

class IdleTask extends Task {
    constructor(ident, priority, input, initialState, handle) {
        super(ident, 0, null, initialState, handle);
    }

    step(pkt, handle) {
        const i = handle;
        i.count -= 1;
        if (i.count === 0) return this.hold();
        if (i.control % 2 === 0) {
            i.control = Math.floor(i.control / 2);
            return this.release(I_DEVA);
        }
        i.control = xorD008(Math.floor(i.control / 2));
        return this.release(I_DEVB);
    }
}

class WorkTask extends Task {
    step(pkt, handle) {
        const w = handle;
        if (pkt === null) return this.waitTask();
        let dest = I_HANDLERA;
        if (w.destination === I_HANDLERA) dest = I_HANDLERB;
        w.destination = dest;
        pkt.ident = dest;
        pkt.datum = 0;
        for (let i = 0; i < BUFSIZE; i++) {
            w.count += 1;
            if (w.count > 26) w.count = 1;
            pkt.data[i] = 65 + w.count - 1; // 65 is "A"
        }
        return this.qpkt(pkt);
    }
}

function schedule() {
    let t = workArea.taskList;
    while (t !== null) {
        if (t.isTaskHoldingOrWaiting()) {
            t = t.link;
        } else {
            t = t.runTask();
        }
    }
}

class Richards {
    run(iterations) {
        let holds = 0;
        let qpkts = 0;
        for (let n = 0; n < iterations; n++) {
            workArea.holdCount = 0;
            workArea.qpktCount = 0;

            new IdleTask(I_IDLE, 1, 10000, new TaskState().running(), new IdleTaskRec());

            let wkq = new Packet(null, 0, K_WORK);
            wkq = new Packet(wkq, 0, K_WORK);
            new WorkTask(I_WORK, 1000, wkq, new TaskState().waitingWithPacket(), new WorkerTaskRec());

            wkq = new Packet(null, I_DEVA, K_DEV);
            wkq = new Packet(wkq, I_DEVA, K_DEV);
            wkq = new Packet(wkq, I_DEVA, K_DEV);
            new HandlerTask(I_HANDLERA, 2000, wkq, new TaskState().waitingWithPacket(), new HandlerTaskRec());

            wkq = new Packet(null, I_DEVB, K_DEV);
            wkq = new Packet(wkq, I_DEVB, K_DEV);
            wkq = new Packet(wkq, I_DEVB, K_DEV);
            new HandlerTask(I_HANDLERB, 3000, wkq, new TaskState().waitingWithPacket(), new HandlerTaskRec());

            wkq = null;
            new DeviceTask(I_DEVA, 4000, wkq, new TaskState().waiting(), new DeviceTaskRec());
            new DeviceTask(I_DEVB, 5000, wkq, new TaskState().waiting(), new DeviceTaskRec());

            schedule();

            holds = holds + workArea.holdCount;
            qpkts = qpkts + workArea.qpktCount;
        }
        return [holds, qpkts];
    }
}

function main() {
    const [holds, qpkts] = new Richards().run(ITERATIONS);
    console.log(`iterations: ${ITERATIONS} hold count: ${holds} qpkt count: ${qpkts}`);
    console.log(`per iteration: ${Math.floor(holds / ITERATIONS)} holds, ${Math.floor(qpkts / ITERATIONS)} qpkts`);
}

main();
